package io.hunnypot.launcher;

import io.hunnypot.api.Listings;
import io.hunnypot.api.export.Export;
import io.hunnypot.api.export.ExportFormat;
import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.recorder.Schema;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code hunnypot export FORMAT --output FILE}: the current listing, read from this node's
 * database, written in one of the export formats of the API. The file is replaced atomically
 * (written beside it, then renamed), so a DNS server or MTA reloading it never reads half a file.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Writes the current listing in FORMAT to FILE, replacing it atomically.")
final class ExportCommand implements Callable<Integer> {

  private static final long TIMEOUT_SECONDS = 600;

  @ParentCommand
  Hunnypot parent;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "FORMAT", description = "One of: rbldnsd, rbldnsd6, tcprules, sendmail, postfix, "
      + "postfix-cidr, nftables, plain, csv, json.")
  String format;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The file to write.")
  Path output;

  @Override
  public Integer call() throws Exception {
    ExportFormat chosen = ExportFormat.fromWireName(format);
    HunnypotConfig config = parent.config();
    Optional<EmbeddedDatabase> started = Optional.empty();
    String url = config.db().url();
    if (config.db().embedded()) {
      // the database of a node running on this data directory, else one started for the export
      Optional<String> running = EmbeddedDatabase.runningUrl(Path.of(config.data().dir()));
      if (running.isPresent()) {
        url = running.get();
      } else {
        started = Optional.of(EmbeddedDatabase.start(Path.of(config.data().dir())));
        url = started.get().url();
        Schema.migrate(url);
      }
    }
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(url)).using(vertx).build();
      Buffer file = Export.render(vertx, new Listings(pool, config.listing()), chosen)
          .await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      write(file);
      spec.commandLine().getOut().printf("wrote %s (%d bytes)%n", output, file.length());
      return 0;
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      if (started.isPresent()) {
        started.get().close();
      }
    }
  }

  /** Into a temporary file beside the target, readable by all (rbldnsd reads as nobody), then renamed over it. */
  private void write(Buffer file) throws Exception {
    Path target = output.toAbsolutePath();
    Path temporary = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      Files.write(temporary, file.getBytes());
      Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
