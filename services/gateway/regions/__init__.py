"""A page per labour-market region: its enterprises by category, its SROI coordinators and a
chart of its listings over time."""
