"""Recommender writes: requests, post classification and the style-model registry."""
