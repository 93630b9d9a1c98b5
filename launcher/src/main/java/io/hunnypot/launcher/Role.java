package io.hunnypot.launcher;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** What a node can run, in the order a node deploys them: those that store before those that see. */
public enum Role {
  RECORDER("recorder"),
  MX_MONITOR("mx-monitor"),
  API("api"),
  LISTENER("listener");

  private final String optionName;

  Role(String optionName) {
    this.optionName = optionName;
  }

  public String optionName() {
    return optionName;
  }

  public boolean needsDatabase() {
    return this == RECORDER || this == API;
  }

  /** Parses {@code listener,api}; an unknown name is refused with the list of known ones. */
  public static Set<Role> parse(String names) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : names.split(",")) {
      String trimmed = name.trim();
      roles.add(Arrays.stream(values()).filter(r -> r.optionName.equals(trimmed)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown role '" + trimmed + "'; roles are " + all())));
    }
    return roles;
  }

  public static String all() {
    return Arrays.stream(values()).map(Role::optionName).collect(Collectors.joining(","));
  }

  @Override
  public String toString() {
    return optionName;
  }
}
