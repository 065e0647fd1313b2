"""The vocabulary every part shares: categories, the bulletin model, the calendar."""
