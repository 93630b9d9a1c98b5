import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;

/**
 * Seeds a Hunnypot database with N listed IPv4 offenders for bench/dnsbl.sh, and writes the
 * dnsperf query file: every other query names a listed address, the rest unlisted ones.
 * Listed addresses are 100.64.0.0 + 3i (never adjacent, so no export merges them).
 * Run as a single-file program on the Hunnypot jar (it holds the JDBC driver):
 *   java -cp launcher/target/hunnypot.jar bench/DnsblSeed.java PG_PORT N ZONE QUERY_FILE QUERIES
 */
public class DnsblSeed {

  private static final long BASE = (100L << 24) | (64L << 16);

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long count = Long.parseLong(args[1]);
    String zone = args[2];
    try (Connection db = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
         PreparedStatement seed = db.prepareStatement("""
             INSERT INTO offenders (ip, first_seen, last_seen, sightings, classes, listed_until)
             SELECT ('0.0.0.0'::inet + (? + 3 * n)), now() - interval '1 day', now(), 1, '{trap-domain}', now() + interval '7 days'
             FROM generate_series(0, ? - 1) AS n
             ON CONFLICT (ip) DO NOTHING""")) {
      seed.setLong(1, BASE);
      seed.setLong(2, count);
      System.out.println("seeded " + seed.executeUpdate() + " listed addresses");
    }
    if (args.length > 3) {
      long queries = Long.parseLong(args[4]);
      StringBuilder file = new StringBuilder();
      java.util.Random random = new java.util.Random(5782);
      for (long i = 0; i < queries; i++) {
        // even queries: a listed address; odd: the address just after one, never listed
        long address = BASE + 3 * (long) random.nextInt((int) count) + (i % 2);
        file.append(address & 0xFF).append('.').append((address >> 8) & 0xFF).append('.')
            .append((address >> 16) & 0xFF).append('.').append(address >> 24).append('.').append(zone).append(" A\n");
      }
      java.nio.file.Files.writeString(java.nio.file.Path.of(args[3]), file);
    }
  }
}
