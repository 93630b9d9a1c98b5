package io.hunnypot.listener;

import io.hunnypot.config.HunnypotConfig;

import java.util.List;

/** What every session of one listener shares: its limits, and the replies that name the host. */
record SessionSettings(
    int maxLineLength, long maxBytes, int maxRecipients, int maxErrors,
    Reply greeting, Reply heloReply, Reply ehloReply) {

  /**
   * Advertised so that a sender never gives up on size alone: an honest server must reach
   * DATA and its 451, a temporary failure, and retry elsewhere.
   */
  static final int ADVERTISED_SIZE = 10_240_000;

  static SessionSettings from(HunnypotConfig.Smtp smtp) {
    String host = smtp.resolvedHostname();
    return new SessionSettings(
        smtp.maxLineLength(), smtp.maxBytes(), smtp.maxRecipients(), smtp.maxErrors(),
        new Reply(220, null, host + " ESMTP"),
        new Reply(250, null, host),
        new Reply(250, null, List.of(host, "PIPELINING", "SIZE " + ADVERTISED_SIZE, "8BITMIME", "ENHANCEDSTATUSCODES")));
  }
}
