"""CHECK constraints validated in Python: a model mixin for full_clean().

Django (5.x) validates a CheckConstraint by asking the database (`Q.check`: one
SELECT, and a savepoint, per constraint and row). For the conditions our models
declare — comparisons of a row's own columns with constants or with each other,
joined by AND, OR and NOT — the answer is known without asking, so
`validate_constraints` evaluates them here with SQL's three-valued logic (a
comparison with NULL is unknown, and a CHECK passes unless it is false, as in the
database). Any other constraint (unique ones, lookups not listed below, joins)
is validated by Django as before. tests/core/test_constraints.py compares the two
for every constraint of the project.
"""

import operator

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import router
from django.db.models import CheckConstraint, F, Q

_COMPARE = {"exact": operator.eq, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


class Unsupported(Exception):
    """A condition this evaluator does not read: Django validates it."""


class Excluded(Exception):
    """The condition names a field excluded from validation: skipped, as Django skips it."""


def evaluate(condition: Q, instance, exclude=()) -> bool | None:
    """True, False or None (unknown: some compared value is NULL)."""
    values = [_node(child, instance, exclude) for child in condition.children]
    if condition.connector == Q.AND:
        result = False if False in values else (None if None in values else True)
    else:
        result = True if True in values else (None if None in values else False)
    if condition.negated:
        result = None if result is None else not result
    return result


def _node(child, instance, exclude):
    if isinstance(child, Q):
        return evaluate(child, instance, exclude)
    if not isinstance(child, tuple):
        raise Unsupported(child)
    lookup, expected = child
    name, _, op = lookup.partition("__")
    op = op or "exact"
    value = _value(name, instance, exclude)
    if isinstance(expected, F):
        expected = _value(expected.name, instance, exclude)
    elif hasattr(expected, "resolve_expression"):
        raise Unsupported(child)
    if op == "isnull":
        return (value is None) == bool(expected)
    if op == "in":
        return None if value is None else value in expected
    if op not in _COMPARE:
        raise Unsupported(child)
    if value is None or expected is None:
        return None
    return _COMPARE[op](value, expected)


def _value(name, instance, exclude):
    if "__" in name:
        raise Unsupported(name)
    if name == "pk":
        name = instance._meta.pk.name
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        raise Unsupported(name) from None
    if not field.concrete or field.name in exclude or field.attname in exclude:
        raise Excluded(name)
    return getattr(instance, field.attname)


class PythonChecks:
    """Model mixin: validate_constraints() without a query for plain-comparison CHECKs."""

    def validate_constraints(self, exclude=None):
        exclude = set(exclude or ())
        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    if isinstance(constraint, CheckConstraint):
                        try:
                            if evaluate(constraint.condition, self, exclude) is False:
                                raise ValidationError(constraint.get_violation_error_message(),
                                                      code=constraint.violation_error_code)
                            continue
                        except Excluded:
                            continue
                        except Unsupported:
                            pass
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


__all__ = ["PythonChecks", "evaluate"]
