"""The declaration service's use cases, one module per family; each function takes a unit of
work (:class:`~cbec.declaration.unit_of_work.DeclarationWork`) and what it is about."""
