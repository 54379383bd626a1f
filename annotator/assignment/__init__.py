"""Handing out the work: who gets which document (plan.py decides, table.py reads and writes the
assignments table, assign.py and move.py are the two operations a lead runs)."""
