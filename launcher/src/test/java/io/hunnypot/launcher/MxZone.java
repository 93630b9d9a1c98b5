package io.hunnypot.launcher;

/** A zone with a domain for every row of the classification table, for the tests that run the MX monitor. */
final class MxZone {

  /**
   * The honeypot is 127.0.0.1 (hp.test) and ::1 (hp6.test), the addresses the tests' clients
   * connect to; primary MXs live on 127.0.0.20 (greets), 127.0.0.21 (nothing listens),
   * 127.0.0.22 (hung) and 127.0.0.23 (down until a test starts it).
   */
  static final String TEXT = """
      $ORIGIN test.
      $TTL 300
      @               SOA  ns.test. hostmaster.test. 1 3600 600 86400 300
      @               NS   ns.test.
      ns              A    127.0.0.1
      hp              A    127.0.0.1
      hp6             AAAA ::1
      trap-only       MX   10 hp
      trap6-only      MX   10 hp6
      backup-live     MX   10 live
      backup-live     MX   90 hp
      backup-dead     MX   10 dead
      backup-dead     MX   90 hp
      backup-hung     MX   10 hung
      backup-hung     MX   90 hp
      backup-recover  MX   10 recovering
      backup-recover  MX   90 hp
      live            A    127.0.0.20
      dead            A    127.0.0.21
      hung            A    127.0.0.22
      recovering      A    127.0.0.23
      brand           MX   10 mail.elsewhere
      brand           A    127.0.0.1
      unrelated       MX   10 mail.elsewhere
      unrelated       A    127.0.0.30
      mail.elsewhere  A    127.0.0.30
      no-mx           A    127.0.0.1
      """;

  /** Names the test DNS server answers SERVFAIL for, and names it never answers. */
  static final String SERVFAIL = "servfail.test";
  static final String SILENT = "silent.test";

  private MxZone() {
  }
}
