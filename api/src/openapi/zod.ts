import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// `.openapi(…)` needs zod extended once, and zod 4 gives each schema its methods when it is built:
// only schemas built after this line have it. The schemas in ./schemas import z from here; the
// request schemas the routes own are built earlier, so the registry names those with zod's own
// `.meta({ id })`, which the generator reads the same way.
extendZodWithOpenApi(z);

export { z };
