// A request that runs past its deadline is answered with a TIMEOUT error
// instead of hanging (the database's statement_timeout ends the query itself).
import { createGraphQLError, type Plugin } from "graphql-yoga";

export function useRequestTimeout(ms: number): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn((args) => {
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise((resolve) => {
          timer = setTimeout(
            () => resolve({ errors: [createGraphQLError(`The request took longer than ${ms} ms and was stopped.`, { extensions: { code: "TIMEOUT", http: { status: 503 } } })] }),
            ms,
          );
        });
        return Promise.race([Promise.resolve(executeFn(args)), deadline]).finally(() => clearTimeout(timer)) as ReturnType<typeof executeFn>;
      });
    },
  };
}
