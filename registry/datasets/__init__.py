"""Datasets: the inventory record, its versions, search and visibility."""
