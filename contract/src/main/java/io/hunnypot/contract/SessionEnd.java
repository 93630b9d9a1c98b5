package io.hunnypot.contract;

import java.util.Arrays;

/** How an SMTP session ended. */
public enum SessionEnd {
  QUIT("quit"),
  IDLE_TIMEOUT("idle-timeout"),
  BYTE_CAP("byte-cap"),
  CONNECTION_LIMIT("connection-limit"),
  PROTOCOL_ERROR("protocol-error"),
  CLIENT_CLOSED("client-closed"),
  /** The node stopped while the session was open. */
  SHUTDOWN("shutdown");

  private final String wireName;

  SessionEnd(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static SessionEnd fromWireName(String name) {
    return Arrays.stream(values())
        .filter(e -> e.wireName.equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown session end '" + name + "'"));
  }

  @Override
  public String toString() {
    return wireName;
  }
}
