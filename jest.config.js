// One jest run over every workspace: unit tests beside the code (src/**/*.test.ts) and integration tests against
// the real services (test/**/*.test.ts). TypeScript runs through swc; `tsc -b` type-checks separately.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/connectors', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  moduleNameMapper: {
    '^@kconnect/(api|runtime|converters|transforms|avro-converter|cli|testkit)$': '<rootDir>/packages/$1/src/index.ts',
    '^@kconnect/file-connectors$': '<rootDir>/connectors/file/src/index.ts',
    '^@kconnect/(cassandra-sink|http-source|mqtt-source)$': '<rootDir>/connectors/$1/src/index.ts',
  },
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  testTimeout: 60000,
};
