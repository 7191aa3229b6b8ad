// Entry of the in-editor suite (both runners load it as extensionTestsPath): registers the cases, runs them.
import { runSuite, test } from '../suite-runner';
import { cases } from './extension.test';

export async function run(): Promise<void> {
  for (const [name, fn] of cases) test(name, fn, 60_000);
  await runSuite();
}
