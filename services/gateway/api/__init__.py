"""The JSON API for buyers and other regions: one router module per resource."""
