"""The exercise notebooks (`gategrad exercises DIR` copies them out) and what their checker knows.

answers.py holds each exercise's rule, the domain it is checked on and the wrong forms students
really write, so that a notebook's check cell names the exercise and nothing more: the rule is
kept back until the answer passes (or `check.reveal(name)` is asked for).
"""
