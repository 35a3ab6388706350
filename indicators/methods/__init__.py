"""Pure indicator methods: numpy/pandas in, arrays or frames out; nothing from the project."""
