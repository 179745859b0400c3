"""Targeting: programme eligibility on a classified table, ranked lists under quotas or budgets, targeting accuracy
with design-based standard errors, the village-meeting round-trip, and pseudonymous household ids.

Pure functions of frames and catalogue models: reading configuration is ``peka.jobs.target``'s job, writing files
``peka.deliver.lists``'s.
"""
