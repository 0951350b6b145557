"""Performance management: the city's strategic priorities, which records say they support."""
