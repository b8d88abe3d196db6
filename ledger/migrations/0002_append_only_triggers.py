"""The database itself keeps the ledger append-only and balanced (see ledger.models).

PostgreSQL:
- UPDATE and DELETE on ledger_transaction and ledger_entry raise (restrict_violation);
- an entry may only be inserted by the database transaction that created its ledger
  transaction (created_at is that transaction's now()), so a posted transaction never grows;
- at commit, a DEFERRABLE INITIALLY DEFERRED constraint trigger on each new ledger transaction
  checks that it has at least two entries and that they sum to zero in every currency
  (check_violation). Deferred, because the entries are inserted after their transaction row.
TRUNCATE is not refused: it needs the table's owner, which the application's role should not be
in production, and Django's test runner empties tables with it.

SQLite: UPDATE raises. It has no deferred triggers, and a DELETE trigger would also refuse the
test runner's flush (DELETE FROM every table): the model layer refuses deletes there.
"""

from django.db import migrations

POSTGRESQL = [
    """
    CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'ledger rows are append-only: % on % refused (post a reversing transaction)',
            TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
    END $$
    """,
    """
    CREATE TRIGGER ledger_transaction_append_only BEFORE UPDATE OR DELETE ON ledger_transaction
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
    """,
    """
    CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
    """,
    """
    CREATE FUNCTION ledger_entry_with_its_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (SELECT created_at FROM ledger_transaction WHERE id = NEW.transaction_id)
                IS DISTINCT FROM now() THEN
            RAISE EXCEPTION 'ledger transaction % is posted: entries are added with it only',
                NEW.transaction_id USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER ledger_entry_with_its_transaction BEFORE INSERT ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_with_its_transaction()
    """,
    """
    CREATE FUNCTION ledger_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        entries integer;
        unbalanced record;
    BEGIN
        SELECT count(*) INTO entries FROM ledger_entry WHERE transaction_id = NEW.id;
        IF entries < 2 THEN
            RAISE EXCEPTION 'ledger transaction % (%) has % entries, at least two needed',
                NEW.id, NEW.key, entries USING ERRCODE = 'check_violation';
        END IF;
        SELECT currency, sum(amount) AS total INTO unbalanced FROM ledger_entry
            WHERE transaction_id = NEW.id GROUP BY currency HAVING sum(amount) <> 0 LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'ledger transaction % (%) does not balance: its % entries sum to %',
                NEW.id, NEW.key, unbalanced.currency, unbalanced.total
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE CONSTRAINT TRIGGER ledger_transaction_balanced AFTER INSERT ON ledger_transaction
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balanced()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER ledger_transaction_balanced ON ledger_transaction",
    "DROP FUNCTION ledger_transaction_balanced()",
    "DROP TRIGGER ledger_entry_with_its_transaction ON ledger_entry",
    "DROP FUNCTION ledger_entry_with_its_transaction()",
    "DROP TRIGGER ledger_entry_append_only ON ledger_entry",
    "DROP TRIGGER ledger_transaction_append_only ON ledger_transaction",
    "DROP FUNCTION ledger_refuse_change()",
]

SQLITE = [
    f"""
    CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only: UPDATE on {table} refused'); END
    """
    for table in ("ledger_transaction", "ledger_entry")
]
SQLITE_REVERSE = [f"DROP TRIGGER {t}_no_update" for t in ("ledger_transaction", "ledger_entry")]

STATEMENTS = {"postgresql": (POSTGRESQL, POSTGRESQL_REVERSE), "sqlite": (SQLITE, SQLITE_REVERSE)}


def create(apps, schema_editor):
    for sql in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[0]:
        schema_editor.execute(sql, None)  # no parameters: the % are plpgsql's


def drop(apps, schema_editor):
    for sql in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[1]:
        schema_editor.execute(sql, None)  # no parameters: the % are plpgsql's


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
