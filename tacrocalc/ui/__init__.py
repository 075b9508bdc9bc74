"""The window. The only package (with app.py) that imports Qt; its presenters do not."""
