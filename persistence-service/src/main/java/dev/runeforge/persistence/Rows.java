package dev.runeforge.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows gathered column by column, bound as one array per column: a statement that unnests them
 * ({@code INSERT … SELECT … FROM unnest(?::text[], ?::bigint[], …)}) writes a whole batch at once, where a JDBC batch
 * of one insert per row had PostgreSQL plan and run each row on its own. Nulls are kept.
 */
public final class Rows {
    private final List<List<Object>> columns;
    private int size;

    public Rows(int columns) {
        this.columns = new ArrayList<>(columns);
        for (int i = 0; i < columns; i++) {
            this.columns.add(new ArrayList<>());
        }
    }

    /** One row: a value for each column, in order. */
    public void add(Object... row) {
        if (row.length != columns.size()) {
            throw new IllegalArgumentException("a row of " + row.length + " values for " + columns.size() + " columns");
        }
        for (int i = 0; i < row.length; i++) {
            columns.get(i).add(row[i]);
        }
        size++;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The value of {@code column} in row {@code row}. */
    public Object get(int row, int column) {
        return columns.get(column).get(row);
    }

    /**
     * Binds each column as an array of its SQL element type ({@code types}, one per column) to the parameters from
     * {@code first} on.
     */
    public void bind(Connection c, PreparedStatement statement, int first, String... types) throws SQLException {
        if (types.length != columns.size()) {
            throw new IllegalArgumentException(types.length + " types for " + columns.size() + " columns");
        }
        for (int i = 0; i < types.length; i++) {
            statement.setArray(first + i, c.createArrayOf(types[i], columns.get(i).toArray()));
        }
    }
}
