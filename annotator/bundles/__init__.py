"""Offline bundles: one annotator's documents and work as a project file of its own (out.py), and
merging that work back without losing anyone's (merge.py, with checks.py, diff.py and the
fingerprints of fingerprint.py). A bundle is an ordinary project file: the window opens it."""
