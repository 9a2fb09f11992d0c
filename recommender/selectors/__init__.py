"""Recommender reads: one's requests and the rankings over stored influencer profiles."""
