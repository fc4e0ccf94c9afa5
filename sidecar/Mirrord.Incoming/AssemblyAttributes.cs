// Filter evaluation renders header lines into stack buffers it overwrites entirely; zeroing them first is wasted work on the hot path.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
