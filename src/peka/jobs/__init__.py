"""The job layer: one module per command that does the whole of it — read configuration, open inputs, apply the
on-invalid policy, run the domain packages, decide what is written where (through ``peka.deliver``).

Only this layer (and the CLI above it) reads configuration files or decides output paths; everything below it is
given what it needs. ``cli → jobs → {classify, estimate, mapping, io, deliver, present} → {config, rules, schema} →
errors`` (docs/architecture.md).
"""
