// The `migrate` role (the Helm chart's pre-install/pre-upgrade hook): the database migrations, then Atelier's search
// attributes on the Temporal namespace through the operator service. Idempotent: a second run changes nothing.
import { openServices, exitOnFatal } from '../core/services.ts';
import { connectTemporalClient, ensureSearchAttributes } from '../core/temporal.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/messages.ts';

async function run() {
  // openServices applies the migrations (under the advisory lock every process takes) and waits for the database
  const { config, logger, database } = await openServices('migrate');
  const client = await connectTemporalClient(config);
  const { added, missing } = await ensureSearchAttributes(client, config.temporal.namespace, logger);
  await Promise.allSettled([client.connection.close(), database.close()]);
  if (missing.length) {
    logger.fatal({ missing }, `Temporal refused to add the search attributes ${missing.join(', ')} to namespace ${config.temporal.namespace}: `
      + `add them as the cluster's operator (temporal operator search-attribute create --namespace ${config.temporal.namespace} `
      + `${missing.map((name) => `--name ${name}`).join(' ')} --type Keyword), then run migrate again`);
    process.exit(1);
  }
  logger.info({ namespace: config.temporal.namespace, added, searchAttributes: SEARCH_ATTRIBUTES }, 'migrate done: database and search attributes are up to date');
  process.exit(0);
}

run().catch(exitOnFatal(undefined, 'migrate'));
