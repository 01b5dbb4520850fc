"""One module per user-facing capability or conversation; app.py registers them."""
