package io.hunnypot.launcher;

import io.hunnypot.config.ConfigLoader;
import io.hunnypot.config.HunnypotConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The configuration of a node under test: its data directory and free ports, then the test's own HUNNYPOT_ pairs. */
final class TestNodes {

  private TestNodes() {
  }

  /**
   * HUNNYPOT_ variables for a node on {@code dataDir} whose SMTP and HTTP ports the system picks;
   * {@code more} is pairs of name and value, which win. The DNSBL gets a port free for TCP now:
   * with 0 it would take a free UDP port whose number TCP may be using.
   */
  static Map<String, String> environment(Path dataDir, String... more) {
    return with(Map.of(
        "HUNNYPOT_DATA_DIR", dataDir.toString(),
        "HUNNYPOT_SMTP_PORT", "0",
        "HUNNYPOT_HTTP_PORT", "0",
        "HUNNYPOT_DNSBL_PORT", String.valueOf(freePort())), more);
  }

  /** A copy of the variables with the pairs of name and value in {@code more} put in. */
  static Map<String, String> with(Map<String, String> environment, String... more) {
    Map<String, String> copy = new HashMap<>(environment);
    for (int i = 0; i < more.length; i += 2) {
      copy.put(more[i], more[i + 1]);
    }
    return copy;
  }

  static HunnypotConfig config(Path dataDir, String... more) {
    return ConfigLoader.load(Optional.empty(), environment(dataDir, more));
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
