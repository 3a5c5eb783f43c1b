"""Reusable ComponentResources and the pure decisions behind them."""
