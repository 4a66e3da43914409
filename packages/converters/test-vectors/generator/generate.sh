#!/usr/bin/env bash
# Regenerates ../*.json with Apache Kafka's own converter classes (version in pom.xml).
# Needs Maven and a JDK 17+ to build. The generator runs on $JAVA (default: `java`); use a Java 21+ runtime, since
# Java 17's Double/Float.toString does not always print the shortest digits (Java 19+ does, and so do we).
set -euo pipefail
cd "$(dirname "$0")"
mvn -q -B compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
"${JAVA:-java}" -Duser.timezone=UTC -cp "target/classes:$(cat target/classpath.txt)" kconnect.vectors.GenerateVectors ..
