"""Mutation testing of the decision modules (`make mutation`): scope, driver, warm pytest, plugin."""
