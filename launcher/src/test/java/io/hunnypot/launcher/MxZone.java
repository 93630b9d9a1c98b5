package io.hunnypot.launcher;

import io.hunnypot.testsupport.TestDnsServer;

/** A zone with a domain for every row of the classification table, for the tests that run the MX monitor. */
final class MxZone {

  /** The zone of every classification case: see classification.zone in test-support. */
  static final String TEXT = TestDnsServer.classificationZone();

  /** Names the test DNS server answers SERVFAIL for, and names it never answers. */
  static final String SERVFAIL = "servfail.test";
  static final String SILENT = "silent.test";

  private MxZone() {
  }
}
