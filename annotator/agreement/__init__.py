"""Inter-annotator agreement: the pure measures, the units they are computed on, the report of a
project, and its renderings (terminal, CSV, JSON, HTML). README, "Agreement definitions"."""
