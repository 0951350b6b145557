"""Web plumbing shared by every blueprint, a module for each concern: who may reach a view
(access), what a request brings (requests), error answers (errors), links (links), caching,
security headers, template globals, pages of lists (paging) and refused forms (forms)."""
