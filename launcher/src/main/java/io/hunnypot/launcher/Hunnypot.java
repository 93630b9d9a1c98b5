package io.hunnypot.launcher;

import io.hunnypot.config.ConfigException;
import io.hunnypot.config.ConfigLoader;
import io.hunnypot.config.HunnypotConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/** The command line: with no options, every role on this machine with an embedded PostgreSQL under ./data. */
@Command(name = "hunnypot", mixinStandardHelpOptions = true, version = "Hunnypot 0.1.0",
    description = "An SMTP honeypot that records who delivers where no mail should go, and serves what it learned.",
    sortOptions = false, subcommands = {CheckDomain.class, ExportCommand.class})
public final class Hunnypot implements Callable<Integer> {

  static final int BAD_CONFIGURATION = 2;
  static final int START_FAILED = 1;

  @Option(names = "--config", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
      description = "Configuration file, YAML or JSON. Every key can also be set by HUNNYPOT_<SECTION>_<KEY>.")
  Path configFile;

  @Option(names = "--roles", paramLabel = "ROLES", defaultValue = "listener,mx-monitor,recorder,api",
      description = "What this node runs, comma-separated: listener, mx-monitor, recorder, api (default: all).")
  String roles;

  @Option(names = "--cluster",
      description = "Join the Hazelcast cluster of the cluster.* keys (TCP-IP members, no multicast), so that each role can run on nodes of its own.")
  boolean cluster;

  private final Map<String, String> environment;
  /** Set once the node has started; read by the shutdown hook. */
  private volatile Node node;

  Hunnypot(Map<String, String> environment) {
    this.environment = environment;
  }

  public static void main(String[] args) {
    Hunnypot hunnypot = new Hunnypot(System.getenv());
    // before the start, so that a SIGTERM the moment the node is up still stops it in order
    Runtime.getRuntime().addShutdownHook(new Thread(hunnypot::stop, "hunnypot-shutdown"));
    int exitCode = commandLine(hunnypot).execute(args);
    if (hunnypot.node == null) {
      System.exit(exitCode);
    }
  }

  static CommandLine commandLine(Hunnypot hunnypot) {
    return new CommandLine(hunnypot).setExecutionExceptionHandler((error, commandLine, parseResult) -> {
      commandLine.getErr().println("hunnypot: " + describe(error));
      return error instanceof ConfigException || error instanceof IllegalArgumentException ? BAD_CONFIGURATION : START_FAILED;
    });
  }

  @Override
  public Integer call() throws Exception {
    Set<Role> chosen = Role.parse(roles);
    node = Node.start(config(), chosen, cluster);
    return 0;
  }

  /** The configuration: the defaults, then the --config file, then HUNNYPOT_ variables. */
  HunnypotConfig config() {
    return ConfigLoader.load(Optional.ofNullable(configFile), environment);
  }

  Node node() {
    return node;
  }

  /** Stops the node, if one started; what a start in progress began, the embedded database, stops on its own. */
  private void stop() {
    if (node == null) {
      return;
    }
    try {
      node.close();
    } catch (Exception e) {
      System.err.println("hunnypot: error while stopping: " + describe(e));
    }
  }

  private static String describe(Throwable error) {
    if (error instanceof ConfigException || error instanceof IllegalArgumentException) {
      return error.getMessage();
    }
    return "could not start: " + error;
  }
}
