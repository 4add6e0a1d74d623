import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Properties;

/**
 * pgjdbc client used by pgjdbc.test.ts.
 *
 * Usage: java -cp DIR:/usr/share/java/postgresql.jar JdbcClient PORT [HOST]
 * Connects to database millrace as user tester, creates a table, inserts 8 rows through one
 * PreparedStatement (pgjdbc switches to a server-prepared statement and binary transfer after
 * prepareThreshold = 5 executions), reads them back with typed getters, lists tables through
 * DatabaseMetaData.getTables, provokes an error and checks the connection still works. Prints
 * `key=value` lines; exits non-zero with a stack trace on any unexpected failure.
 */
public final class JdbcClient {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String host = args.length > 1 ? args[1] : "127.0.0.1";
    Properties props = new Properties();
    props.setProperty("user", "tester");
    props.setProperty("connectTimeout", "10");
    try (Connection conn = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/millrace", props)) {
      System.out.println("connected=" + conn.getMetaData().getDatabaseProductName());
      try (Statement st = conn.createStatement()) {
        st.execute("DROP VIEW IF EXISTS jdbc_view");
        st.execute("DROP TABLE IF EXISTS jdbc_items");
        st.execute("CREATE TABLE jdbc_items (id INT, name VARCHAR(20), at TIMESTAMP(3), price DECIMAL(10, 2), big BIGINT, ok BOOLEAN)");
      }
      int inserted = 0;
      try (PreparedStatement ps = conn.prepareStatement("INSERT INTO jdbc_items VALUES (?, ?, ?, ?, ?, ?)")) {
        for (int i = 1; i <= 8; i++) {
          ps.setInt(1, i);
          ps.setString(2, "item" + i);
          ps.setTimestamp(3, Timestamp.valueOf("2024-01-02 03:04:0" + i + ".5"));
          ps.setBigDecimal(4, new BigDecimal(i + ".25"));
          ps.setLong(5, 10_000_000_000L * i);
          ps.setBoolean(6, i % 2 == 0);
          inserted += ps.executeUpdate();
        }
      }
      System.out.println("inserted=" + inserted);
      try (PreparedStatement ps = conn.prepareStatement("SELECT ? AS n, ? * 2 AS m")) {
        // setBigDecimal sends an unconstrained numeric parameter; repeated so the binary, server-prepared path runs too.
        StringBuilder sb = new StringBuilder();
        for (int round = 0; round < 7; round++) {
          ps.setBigDecimal(1, new BigDecimal("12.345"));
          ps.setBigDecimal(2, new BigDecimal("1.50"));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (round == 0 || round == 6) sb.append(rs.getBigDecimal(1)).append('|').append(rs.getString(2)).append(';');
          }
        }
        System.out.println("numeric_param=" + sb);
      }
      try (PreparedStatement ps = conn.prepareStatement("SELECT id, name, at, price, big, ok FROM jdbc_items WHERE id > ? ORDER BY id")) {
        // Executed repeatedly so the later executions use the server-prepared, binary path.
        for (int round = 0; round < 7; round++) {
          ps.setInt(1, 5);
          try (ResultSet rs = ps.executeQuery()) {
            StringBuilder sb = new StringBuilder();
            while (rs.next()) {
              sb.append(rs.getInt(1)).append('|').append(rs.getString(2)).append('|').append(rs.getTimestamp(3))
                .append('|').append(rs.getBigDecimal(4)).append('|').append(rs.getLong(5)).append('|').append(rs.getBoolean(6)).append(';');
            }
            if (round == 0 || round == 6) System.out.println("select" + round + "=" + sb);
          }
        }
      }
      try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM jdbc_items")) {
        rs.next();
        System.out.println("count=" + rs.getLong(1));
      }
      DatabaseMetaData md = conn.getMetaData();
      try (ResultSet rs = md.getTables(null, null, "jdbc_items", new String[] {"TABLE"})) {
        StringBuilder sb = new StringBuilder();
        while (rs.next()) sb.append(rs.getString("TABLE_NAME")).append(':').append(rs.getString("TABLE_TYPE")).append(';');
        System.out.println("tables=" + sb);
      }
      metadata(conn);
      try (Statement st = conn.createStatement()) {
        st.executeQuery("SELECT * FROM no_such_table");
        System.out.println("error=none");
      } catch (SQLException e) {
        System.out.println("error=" + e.getSQLState());
      }
      try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT name FROM jdbc_items WHERE id = 1")) {
        rs.next();
        System.out.println("after_error=" + rs.getString(1));
      }
      transactions(conn);
    }
  }

  /** setAutoCommit(false): a savepoint rolled back to, a rollback, then a commit; prints the ids seen after each. */
  private static void transactions(Connection conn) throws SQLException {
    conn.setAutoCommit(false);
    try (Statement st = conn.createStatement()) {
      st.executeUpdate("DELETE FROM jdbc_items WHERE id > 2");
      java.sql.Savepoint sp = conn.setSavepoint("before_update");
      st.executeUpdate("UPDATE jdbc_items SET id = id + 100");
      conn.rollback(sp);
      System.out.println("tx_inside=" + ids(st));
      conn.rollback();
      System.out.println("tx_rolled_back=" + ids(st).split(",").length);
      st.executeUpdate("DELETE FROM jdbc_items WHERE id > 1");
      conn.commit();
    }
    conn.setAutoCommit(true);
    try (Statement st = conn.createStatement()) {
      System.out.println("tx_committed=" + ids(st));
    }
  }

  private static String ids(Statement st) throws SQLException {
    StringBuilder sb = new StringBuilder();
    try (ResultSet rs = st.executeQuery("SELECT id FROM jdbc_items ORDER BY id")) {
      while (rs.next()) sb.append(sb.length() == 0 ? "" : ",").append(rs.getInt(1));
    }
    return sb.toString();
  }

  /**
   * DatabaseMetaData and ResultSetMetaData calls of GUI tools and ORMs; each prints one line of
   * `key=value` with the rows joined by ';'.
   */
  private static void metadata(Connection conn) throws SQLException {
    try (Statement st = conn.createStatement()) {
      // Flink SQL requires NOT ENFORCED, PostgreSQL (when validating this client) rejects it.
      String enforced;
      try (ResultSet rs = st.executeQuery("SELECT version()")) {
        rs.next();
        enforced = rs.getString(1).contains("millrace") ? " NOT ENFORCED" : "";
      }
      st.execute("DROP TABLE IF EXISTS jdbc_keyed");
      st.execute("CREATE TABLE jdbc_keyed (k1 INT NOT NULL, k2 TEXT NOT NULL, v DOUBLE PRECISION, PRIMARY KEY (k1, k2)" + enforced + ")");
      st.execute("CREATE VIEW jdbc_view AS SELECT id, name FROM jdbc_items");
    }
    DatabaseMetaData md = conn.getMetaData();
    try (ResultSet rs = md.getTables(null, "public", "jdbc%", new String[] {"TABLE", "VIEW"})) {
      StringBuilder sb = new StringBuilder();
      while (rs.next()) {
        sb.append(rs.getString("TABLE_SCHEM")).append('.').append(rs.getString("TABLE_NAME")).append(':').append(rs.getString("TABLE_TYPE")).append(';');
      }
      System.out.println("tables_public=" + sb);
    }
    try (ResultSet rs = md.getColumns(null, "public", "jdbc_items", "%")) {
      StringBuilder sb = new StringBuilder();
      while (rs.next()) {
        sb.append(rs.getString("COLUMN_NAME")).append(':').append(rs.getInt("DATA_TYPE")).append(':').append(rs.getString("TYPE_NAME"))
          .append(':').append(rs.getInt("COLUMN_SIZE")).append(':').append(rs.getInt("DECIMAL_DIGITS")).append(':').append(rs.getInt("NULLABLE"))
          .append(':').append(rs.getInt("ORDINAL_POSITION")).append(';');
      }
      System.out.println("columns=" + sb);
    }
    try (ResultSet rs = md.getColumns(null, "public", "jdbc_keyed", "k%")) {
      StringBuilder sb = new StringBuilder();
      while (rs.next()) sb.append(rs.getString("COLUMN_NAME")).append(':').append(rs.getString("IS_NULLABLE")).append(';');
      System.out.println("keyed_columns=" + sb);
    }
    try (ResultSet rs = md.getSchemas()) {
      StringBuilder sb = new StringBuilder();
      while (rs.next()) sb.append(rs.getString("TABLE_SCHEM")).append(';');
      System.out.println("schemas=" + sb);
    }
    try (ResultSet rs = md.getPrimaryKeys(null, "public", "jdbc_keyed")) {
      StringBuilder sb = new StringBuilder();
      while (rs.next()) {
        sb.append(rs.getString("COLUMN_NAME")).append(':').append(rs.getInt("KEY_SEQ")).append(':').append(rs.getString("PK_NAME")).append(';');
      }
      System.out.println("primary_keys=" + sb);
    }
    try (ResultSet rs = md.getPrimaryKeys(null, "public", "jdbc_items")) {
      System.out.println("no_primary_keys=" + !rs.next());
    }
    try (ResultSet rs = md.getTypeInfo()) {
      StringBuilder sb = new StringBuilder();
      int count = 0;
      while (rs.next()) {
        count++;
        String name = rs.getString("TYPE_NAME");
        if (name.equals("int4") || name.equals("varchar") || name.equals("numeric") || name.equals("bool") || name.equals("timestamp")) {
          sb.append(name).append(':').append(rs.getInt("DATA_TYPE")).append(';');
        }
      }
      System.out.println("type_info=" + sb);
      System.out.println("type_info_many=" + (count >= 20));
    }
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, name, price, at, big, ok, CAST(1.5 AS DOUBLE PRECISION) AS d FROM jdbc_items WHERE id = 1")) {
      ResultSetMetaData rsmd = rs.getMetaData();
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i <= rsmd.getColumnCount(); i++) {
        sb.append(rsmd.getColumnLabel(i)).append(':').append(rsmd.getColumnTypeName(i)).append(':').append(rsmd.getColumnType(i))
          .append(':').append(rsmd.getPrecision(i)).append(':').append(rsmd.getScale(i)).append(':').append(rsmd.isNullable(i)).append(';');
      }
      System.out.println("rsmd=" + sb);
      System.out.println("rsmd_table=" + rsmd.getTableName(2) + ":" + rsmd.getSchemaName(2) + ":" + rsmd.getColumnName(2));
    }
  }
}
