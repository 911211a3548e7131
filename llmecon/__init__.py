"""Shared code of the report "GPT-4o mini, two years on": data loading and validation, price
arithmetic, and the house style for figures. Units are stated in each function's docstring."""
