# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Builders shared by the plugin unit tests: module arguments and API answers.

Imported as ``ansible_collections.hwcloud.dataarts.tests.unit.plugins.builders``, the path the collection has both
here (tests/unit/conftest.py links the checkout into build/src) and under ``ansible-test units``.
"""

from __future__ import annotations


class _Drop:
    """Leaves an option out of the arguments; a stable repr keeps test ids equal across xdist workers."""

    def __repr__(self):
        return "<drop>"


DROP = _Drop()


def options(base, **over):
    """The module arguments ``base`` updated with ``over``, without those set to ``DROP``."""
    values = dict(base, **over)
    return {key: value for key, value in values.items() if value is not DROP}


# update_time of instance(): later answers carry later times.
T0 = "2026-11-28T09:00:00.000Z"


def instance(**over):
    """A Show answer for inst-1 (a RUNNING LLM service), with these top-level fields replaced or added."""
    item = {
        "id": "inst-1",
        "name": "demo",
        "description": "old description",
        "status": "RUNNING",
        "endpoint_id": "ep-1",
        "source": {"id": "model-1", "version_id": "ver-1"},
        "config": {"model_instance_config": {"resource": {"min": 2, "max": 4, "spec_code": "mu.llama3.8b"}}},
        "visibility": "PRIVATE",
        "type": "LLM_MODEL",
        "create_time": "2026-11-01T08:00:00.000Z",
        "update_time": T0,
    }
    item.update(over)
    return item
