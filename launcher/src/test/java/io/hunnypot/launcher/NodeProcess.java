package io.hunnypot.launcher;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Hunnypot node in a JVM of its own, started from the test classpath the way a machine
 * would run the jar: {@code java ... io.hunnypot.launcher.Hunnypot <arguments>} (such as
 * {@code --cluster --roles ...}), configured by HUNNYPOT_ variables only; its output goes to a
 * log file.
 */
final class NodeProcess implements AutoCloseable {

  /** Quick to start on two cores: the client compiler alone and the serial collector. */
  private static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m");

  private final String name;
  private final List<String> arguments;
  private final Map<String, String> environment;
  private final Path log;
  private final int httpPort;
  private Process process;

  NodeProcess(String name, List<String> arguments, Map<String, String> environment, Path logDir, int httpPort) {
    this.name = name;
    this.arguments = List.copyOf(arguments);
    this.environment = environment;
    this.log = logDir.resolve(name + ".log");
    this.httpPort = httpPort;
  }

  NodeProcess start() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    command.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Hunnypot.class.getName()));
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().removeIf(key -> key.startsWith("HUNNYPOT_"));
    builder.environment().putAll(environment);
    builder.environment().put("HUNNYPOT_NODE_NAME", name);
    process = builder.start();
    return this;
  }

  /** GETs /ready until it answers 200 with JSON that satisfies the condition. */
  NodeProcess awaitReady(Predicate<JsonObject> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    HttpJson http = http();
    while (true) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        HttpJson.Response ready = http.get("/ready");
        if (ready.status() == 200 && condition.test(ready.json())) {
          return this;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " not ready within 60 s:\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
  }

  /** Waits until the node's log has a line containing the text. */
  NodeProcess awaitLog(String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.exists(log) || !Files.readString(log).contains(text)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError(name + " did not log '" + text + "':\n" + (Files.exists(log) ? Files.readString(log) : ""));
      }
      Thread.sleep(20);
    }
    return this;
  }

  HttpJson http() {
    return new HttpJson(httpPort);
  }

  /** SIGTERM: the node stops its listener (open sessions end, their sightings are recorded or spooled) and leaves. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " did not stop within 60 s of SIGTERM");
    }
  }

  /** Waits for the process to end by itself; answers its exit code. */
  int awaitExit() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " still running after 60 s");
    }
    return process.exitValue();
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  /** SIGKILL: gone at once, as in a crash. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      kill();
    }
  }
}
