"""The stakeholder group's say in what the city releases first: voting rounds, data requests with
the policy's clocks, the city's strategic priorities, and the explained release priority score."""
