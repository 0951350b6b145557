"""What the tests and the benchmark scripts share that is not the product: a synthetic
inventory loaded in bulk."""
