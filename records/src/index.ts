export { newCatalogGeneration, RegistryReader } from './registryReader.js';
