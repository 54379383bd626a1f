"""Suggestions: spans (and links) proposed by rules or a trained model, stored as their own
source (an annotators row of role "model": `rules`, `model:NAME`) and never counted as anyone's
annotations until a person accepts one.

patterns: reading a rule file (spaCy / Prodigy patterns JSONL) and matching it;
pipelines: loading a trained model folder and running it;
proposals: what a suggester proposes on one document (spans, and links in one sentence);
suggest: storing one source's proposals over many documents (a re-run replaces them);
decisions: what a person sees, accepts or rejects, each as one Change;
seen: what one person sees of one document's suggestions, kept up to date from Changes (the window);
measures: rules' precision / recall against people, and who took how many suggestions.
"""
