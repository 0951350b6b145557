"""Reviews: the workflow state machine and the governance committee."""
