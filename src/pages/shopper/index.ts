export { shopperPages } from "./routes";
