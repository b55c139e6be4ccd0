# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Builders shared by the plugin unit tests: module arguments.

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
