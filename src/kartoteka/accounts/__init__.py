"""Accounts, roles, sessions, API tokens and access requests (issue 18). ``types`` is the contract the web layer
and the review pages read."""
