"""What a reviewer does: compare everyone's work on a document, settle it into the gold set (one
document, or a whole project by rule), one reviewer at a time on a document's gold."""
