"""Use cases of the logistics service, one module per family, shared by the API and the event
handlers. Each runs inside one unit of work handed in by the caller
(:class:`~cbec.logistics.unit_of_work.LogisticsWork`): it loads the domain objects through its
repositories, lets the rules of :mod:`cbec.logistics.domain` decide, writes what changed and
publishes the resulting events in the same transaction. A rule that refuses raises a
:class:`~cbec.shared.errors.CbecError` before anything is written.

- :mod:`.documents`: filing a batch of documents, one receipt each (:func:`.documents.submit`);
- :mod:`.waybills`, :mod:`.movements` (with :mod:`.splits`), :mod:`.returns`,
  :mod:`.warehouse`: the documents enterprises file;
- :mod:`.parcels`: a parcel's timeline, the overdue check;
- :mod:`.declaration`: what the declaration service's events tell.
"""
