"""HTTP routes: each decodes its request, calls one wallet function, and returns its result."""
