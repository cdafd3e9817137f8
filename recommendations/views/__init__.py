"""Views of the recommendations app, split by feature: connecting, lists, one request."""
